package dev.keywarden.users;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordPolicyTest {

    private static final PasswordPolicy POLICY = PasswordPolicy.standard();

    @Test
    void aLongUncommonPasswordPasses() {
        assertThatCode(() -> POLICY.check("violet tractor anthem".toCharArray(), "alice")).doesNotThrowAnyException();
    }

    @Test
    void tooShortAndTooLongAreRefusedWithoutQuotingThePassword() {
        assertThatThrownBy(() -> POLICY.check("short-pw-11".toCharArray(), "alice"))
                .hasMessageContaining("at least 12 characters").hasMessageNotContaining("short-pw-11");
        assertThatThrownBy(() -> POLICY.check("x".repeat(1024).concat("y").toCharArray(), "alice"))
                .hasMessageContaining("at most 1024");
        assertThatCode(() -> POLICY.check(("ab".repeat(512)).toCharArray(), "alice")).doesNotThrowAnyException();
    }

    @Test
    void lengthCountsCharactersNotBytes() {
        assertThatCode(() -> POLICY.check("ééééééééééé1".toCharArray(), "alice")).doesNotThrowAnyException();
        assertThatThrownBy(() -> POLICY.check("éééééééééé1".toCharArray(), "alice")).hasMessageContaining("at least 12");
    }

    @Test
    void commonBreachedPasswordsTheUsernameAndRepeatsAreRefused() {
        assertThatThrownBy(() -> POLICY.check("Password1234".toCharArray(), "alice")).hasMessageContaining("common breached");
        assertThatThrownBy(() -> POLICY.check("alice.smith.example".toCharArray(), "Alice.Smith.Example"))
                .hasMessageContaining("username");
        assertThatThrownBy(() -> POLICY.check("aaaaaaaaaaaaaaaa".toCharArray(), "alice")).hasMessageContaining("repeated");
        assertThatThrownBy(() -> POLICY.check(new char[0], "alice")).hasMessageContaining("required");
    }
}
