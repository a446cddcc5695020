package io.hecate.agent.consul.internal;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Encrypts the private keys Hecate keeps in Consul, so that reading the KV store (a snapshot, a
 * token with {@code key:read}) does not give away the keys of the certificates. AES-256-GCM with a
 * random 96-bit nonce per value and the storage key as associated data: a value copied to another
 * key no longer decrypts. Stored as {@value #FORMAT} followed by base64 of nonce, ciphertext and tag;
 * the version in the prefix leaves room for another scheme later.
 */
public final class KeyCipher {

    public static final String FORMAT = "hecate-aes-gcm-v1:";
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    /** @param key 32 bytes */
    public KeyCipher(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("AES-256 needs a 32-byte key, got " + key.length + " bytes");
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /** Whether {@code stored} is in this class's format (it may still fail to decrypt). */
    public static boolean encrypted(String stored) {
        return stored.startsWith(FORMAT);
    }

    /** {@code text} encrypted for {@code storageKey}. */
    public String encrypt(String storageKey, String text) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, storageKey);
            byte[] sealed = cipher.doFinal(text.getBytes(StandardCharsets.UTF_8));
            return FORMAT + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            // AES-GCM is required of every JDK: failing here is a broken runtime, not bad input.
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /**
     * The text {@link #encrypt} sealed for {@code storageKey}.
     *
     * @throws GeneralSecurityException when the value is not in this format, was changed, belongs to
     *                                  another key, or was sealed with another key; the message says which
     */
    public String decrypt(String storageKey, String stored) throws GeneralSecurityException {
        if (!encrypted(stored)) {
            throw new GeneralSecurityException("not in the format " + FORMAT + "...");
        }
        byte[] sealed;
        try {
            sealed = Base64.getDecoder().decode(stored.substring(FORMAT.length()).trim());
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("not base64 after " + FORMAT + " (" + e.getMessage() + ")");
        }
        if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new GeneralSecurityException("too short for a nonce and a tag");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(sealed, NONCE_BYTES), storageKey);
            return new String(cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new AEADBadTagException("the key is not the one it was encrypted with, or the value was changed"
                    + " or copied from another key");
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String storageKey) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(storageKey.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
