package dev.keywarden.gateway;

import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.Refusal;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class UpstreamSlotsTest {

    @Test
    void theSlotBeyondTheCapIsRefusedWith529OverloadedAndRetryAfter() {
        UpstreamSlots slots = new UpstreamSlots(2);
        slots.acquire();
        slots.acquire();
        Refusal r = catchThrowableOfType(Refusal.class, slots::acquire);
        assertThat(r.status()).isEqualTo(529);
        assertThat(r.type()).isEqualTo(ErrorType.OVERLOADED);
        assertThat(r.headers()).containsEntry("retry-after", "1");
        assertThat(r.getMessage()).contains("upstream.max_connections");
        assertThat(slots.inUse()).isEqualTo(2);
    }

    @Test
    void aSlotReleasedTwiceFreesOnlyOnePlace() {
        UpstreamSlots slots = new UpstreamSlots(2);
        UpstreamSlots.Slot a = slots.acquire();
        slots.acquire();
        a.release();
        a.release();
        assertThat(slots.inUse()).isEqualTo(1);
        slots.acquire();
        assertThatThrownBy(slots::acquire).isInstanceOf(Refusal.class);
    }
}
