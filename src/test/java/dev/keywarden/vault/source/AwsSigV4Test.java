package dev.keywarden.vault.source;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signature Version 4 against the values AWS publishes: the IAM {@code ListUsers} example of the
 * "Create a signed AWS API request" documentation and the {@code get-vanilla} case of the SigV4
 * test suite. The credentials are AWS's documented example credentials, not real ones.
 */
class AwsSigV4Test {

    /** AWS's documented example credentials (public, in the SigV4 documentation and test suite). */
    private static final String EXAMPLE_KEY_ID = "AKID" + "EXAMPLE";
    private static final String EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCY" + "EXAMPLEKEY"; // keywarden:allow (AWS's published documentation example)
    private static final String AMZ_DATE = "20150830T123600Z";
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static TreeMap<String, String> iamHeaders() {
        TreeMap<String, String> h = new TreeMap<>();
        h.put("content-type", "application/x-www-form-urlencoded; charset=utf-8");
        h.put("host", "iam.amazonaws.com");
        h.put("x-amz-date", AMZ_DATE);
        return h;
    }

    @Test
    void canonicalRequestOfTheDocumentedExampleHashesToTheDocumentedValue() {
        String canonical = AwsSigV4.canonicalRequest("GET", "/", "Action=ListUsers&Version=2010-05-08", iamHeaders(), EMPTY_SHA256);

        assertThat(canonical).isEqualTo("""
                GET
                /
                Action=ListUsers&Version=2010-05-08
                content-type:application/x-www-form-urlencoded; charset=utf-8
                host:iam.amazonaws.com
                x-amz-date:20150830T123600Z

                content-type;host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""");
        assertThat(AwsSigV4.sha256Hex(canonical.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
        assertThat(AwsSigV4.sha256Hex(new byte[0])).isEqualTo(EMPTY_SHA256);
    }

    @Test
    void stringToSignOfTheDocumentedExampleIsTheDocumentedOne() {
        String canonical = AwsSigV4.canonicalRequest("GET", "/", "Action=ListUsers&Version=2010-05-08", iamHeaders(), EMPTY_SHA256);

        assertThat(AwsSigV4.stringToSign(AMZ_DATE, AwsSigV4.scope("20150830", "us-east-1", "iam"), canonical)).isEqualTo("""
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/iam/aws4_request
                f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59""");
    }

    @Test
    void signingKeyDerivationMatchesTheDocumentedExample() {
        assertThat(HexFormat.of().formatHex(AwsSigV4.signingKey(EXAMPLE_SECRET, "20150830", "us-east-1", "iam")))
                .isEqualTo("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    }

    @Test
    void authorizationHeaderCarriesTheDocumentedExampleSignature() {
        String authorization = AwsSigV4.authorization("GET", "/", "Action=ListUsers&Version=2010-05-08", iamHeaders(),
                EMPTY_SHA256, EXAMPLE_KEY_ID, EXAMPLE_SECRET, "us-east-1", "iam", AMZ_DATE);

        assertThat(authorization).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, "
                + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    }

    @Test
    void getVanillaFromTheSigV4TestSuiteSignsToTheSuitesSignature() {
        TreeMap<String, String> h = new TreeMap<>();
        h.put("host", "example.amazonaws.com");
        h.put("x-amz-date", AMZ_DATE);

        String authorization = AwsSigV4.authorization("GET", "/", "", h, EMPTY_SHA256, EXAMPLE_KEY_ID, EXAMPLE_SECRET,
                "us-east-1", "service", AMZ_DATE);

        assertThat(authorization).endsWith("SignedHeaders=host;x-amz-date, "
                + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    }

    @Test
    void headerValuesAreTrimmedAndInnerSpacesCollapsed() {
        TreeMap<String, String> h = new TreeMap<>();
        h.put("my-header", "  a   b  c ");

        assertThat(AwsSigV4.canonicalRequest("GET", "/", "", h, EMPTY_SHA256)).contains("\nmy-header:a b c\n");
    }
}
