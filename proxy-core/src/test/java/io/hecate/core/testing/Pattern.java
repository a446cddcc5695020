package io.hecate.core.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A deterministic byte pattern whose value depends on the absolute offset, so a lost, duplicated
 * or reordered block anywhere in a stream shows up as a mismatch at a known offset.
 */
public final class Pattern {

    private Pattern() {
    }

    /** The byte at {@code offset}: a multiplicative hash of the offset (period 2^32). */
    public static byte at(long offset) {
        return (byte) (((offset & 0xFFFF_FFFFL) * 2654435761L) >>> 24);
    }

    public static void fill(byte[] target, int length, long offset) {
        for (int i = 0; i < length; i++) {
            target[i] = at(offset + i);
        }
    }

    public static byte[] bytes(int length) {
        byte[] data = new byte[length];
        fill(data, length, 0);
        return data;
    }

    /** Random bytes from a fixed seed (for request bodies that must not look like the pattern). */
    public static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i += 8) {
            long value = random.nextLong();
            for (int j = 0; j < 8 && i + j < length; j++) {
                data[i + j] = (byte) (value >>> (8 * j));
            }
        }
        return data;
    }

    /** Writes {@code length} pattern bytes to {@code out} in blocks of 64 KiB. */
    public static void write(OutputStream out, long length) throws IOException {
        byte[] block = new byte[64 * 1024];
        long written = 0;
        while (written < length) {
            int n = (int) Math.min(block.length, length - written);
            fill(block, n, written);
            out.write(block, 0, n);
            written += n;
        }
    }

    /**
     * Checks {@code data[0..length)} against the pattern starting at {@code offset}.
     *
     * @return the absolute offset of the first mismatch, or -1
     */
    public static long firstMismatch(byte[] data, int length, long offset) {
        for (int i = 0; i < length; i++) {
            if (data[i] != at(offset + i)) {
                return offset + i;
            }
        }
        return -1;
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
