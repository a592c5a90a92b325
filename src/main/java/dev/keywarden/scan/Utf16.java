package dev.keywarden.scan;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Recognises UTF-16 text, which git and a NUL-byte check both take for binary (Windows tools such as
 * PowerShell and regedit write it): a byte-order mark ({@code FF FE} little-endian, {@code FE FF}
 * big-endian), or, without one, a sample in which every second byte is NUL and no other is (mostly
 * ASCII text, as configuration files and scripts are).
 */
final class Utf16 {

    static final int SNIFF_BYTES = 8000;

    private Utf16() {
    }

    /** The decoded text (without the byte-order mark), or null when {@code bytes} do not look like UTF-16. */
    static String decode(byte[] bytes) {
        Charset charset = detect(bytes);
        if (charset == null) {
            return null;
        }
        int bom = hasBom(bytes) ? 2 : 0;
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes, bom, bytes.length - bom)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null; // not reached with REPLACE
        }
    }

    /** UTF-16LE, UTF-16BE, or null. */
    static Charset detect(byte[] bytes) {
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xfe) {
            return StandardCharsets.UTF_16LE;
        }
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xff) == 0xff) {
            return StandardCharsets.UTF_16BE;
        }
        int n = Math.min(bytes.length, SNIFF_BYTES) & ~1;
        if (n < 4) {
            return null;
        }
        int zeroEven = 0;
        int zeroOdd = 0;
        for (int i = 0; i < n; i += 2) {
            zeroEven += bytes[i] == 0 ? 1 : 0;
            zeroOdd += bytes[i + 1] == 0 ? 1 : 0;
        }
        int pairs = n / 2;
        if (zeroEven == 0 && zeroOdd * 10 >= pairs * 9) {
            return StandardCharsets.UTF_16LE;
        }
        if (zeroOdd == 0 && zeroEven * 10 >= pairs * 9) {
            return StandardCharsets.UTF_16BE;
        }
        return null;
    }

    private static boolean hasBom(byte[] bytes) {
        return bytes.length >= 2 && (((bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xfe)
                || ((bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xff) == 0xff));
    }
}
