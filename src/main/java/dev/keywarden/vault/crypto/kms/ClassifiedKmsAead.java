package dev.keywarden.vault.crypto.kms;

import com.amazonaws.AmazonServiceException;
import com.amazonaws.SdkClientException;
import com.google.api.client.http.HttpResponseException;
import com.google.crypto.tink.Aead;
import dev.keywarden.vault.crypto.KmsUnavailableException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Set;

/**
 * Wraps a Tink KMS {@link Aead} (AWS, GCP) and sorts its failures: a ciphertext the KMS refuses to
 * decrypt stays a {@link GeneralSecurityException} ("wrong KEK or altered"), while refused
 * credentials, a missing key, a network failure or a server error become a
 * {@link KmsUnavailableException} whose message names the KMS, the key and the HTTP status and
 * error code only (never the service's free text, never key material).
 */
final class ClassifiedKmsAead implements Aead {

    /** AWS error codes that mean "this ciphertext does not open under this key". */
    private static final Set<String> AWS_WRONG_CIPHERTEXT = Set.of("InvalidCiphertextException", "IncorrectKeyException");

    private final Aead delegate;
    private final String kms;
    private final String key;
    private final String fix;

    ClassifiedKmsAead(Aead delegate, String kms, String key, String fix) {
        this.delegate = delegate;
        this.kms = kms;
        this.key = key;
        this.fix = fix;
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        try {
            return delegate.encrypt(plaintext, associatedData);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw classify(e, "encrypt");
        }
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        try {
            return delegate.decrypt(ciphertext, associatedData);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw classify(e, "decrypt");
        }
    }

    private GeneralSecurityException classify(Exception e, String operation) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AmazonServiceException aws) {
                if (operation.equals("decrypt") && AWS_WRONG_CIPHERTEXT.contains(aws.getErrorCode())) {
                    return new GeneralSecurityException("the KMS could not decrypt (" + aws.getErrorCode() + ")");
                }
                return unavailable(operation, "HTTP " + aws.getStatusCode() + " " + aws.getErrorCode());
            }
            if (t instanceof HttpResponseException http) {
                if (operation.equals("decrypt") && http.getStatusCode() == 400) {
                    return new GeneralSecurityException("the KMS could not decrypt (HTTP 400)");
                }
                return unavailable(operation, "HTTP " + http.getStatusCode());
            }
            if (t instanceof SdkClientException || t instanceof IOException) {
                return new KmsUnavailableException("cannot reach " + kms + " to " + operation + " with key " + key + " ("
                        + t.getClass().getSimpleName() + "): check vault.kms_endpoint and the network");
            }
        }
        if (e instanceof GeneralSecurityException && !(e.getCause() instanceof RuntimeException)) {
            return new GeneralSecurityException("the KMS could not " + operation);
        }
        return unavailable(operation, e.getClass().getSimpleName());
    }

    private KmsUnavailableException unavailable(String operation, String what) {
        return new KmsUnavailableException(kms + " refused to " + operation + " with key " + key + " (" + what + "): " + fix);
    }

    @Override
    public String toString() {
        return "ClassifiedKmsAead[" + kms + " " + key + "]";
    }
}
