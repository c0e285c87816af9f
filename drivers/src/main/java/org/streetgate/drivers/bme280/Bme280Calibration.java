package org.streetgate.drivers.bme280;

/**
 * The trimming parameters each BME280 carries from the factory: 26 bytes at 0x88..0xA1 and 7 at
 * 0xE1..0xE7 (datasheet table 16). T1, P1 and H1, H3 are unsigned; the rest signed; little-endian;
 * H4 and H5 are 12-bit values sharing the nibbles of 0xE5.
 */
public record Bme280Calibration(int t1, int t2, int t3,
                                int p1, int p2, int p3, int p4, int p5, int p6, int p7, int p8, int p9,
                                int h1, int h2, int h3, int h4, int h5, int h6) {
    public static final int BLOCK1 = 0x88;
    public static final int BLOCK1_LENGTH = 26;
    public static final int BLOCK2 = 0xE1;
    public static final int BLOCK2_LENGTH = 7;

    /** Parses the two blocks as read in bursts from 0x88 and 0xE1. */
    public static Bme280Calibration parse(byte[] b1, byte[] b2) {
        if (b1.length != BLOCK1_LENGTH || b2.length != BLOCK2_LENGTH) {
            throw new IllegalArgumentException("calibration blocks must be 26 and 7 bytes");
        }
        return new Bme280Calibration(
                u16(b1, 0), s16(b1, 2), s16(b1, 4),
                u16(b1, 6), s16(b1, 8), s16(b1, 10), s16(b1, 12), s16(b1, 14), s16(b1, 16), s16(b1, 18),
                s16(b1, 20), s16(b1, 22),
                b1[25] & 0xFF,
                s16(b2, 0), b2[2] & 0xFF,
                (b2[3] << 4) | (b2[4] & 0x0F),          // (int8)E4 * 16 | E5[3:0]
                (b2[5] << 4) | ((b2[4] & 0xFF) >> 4),   // (int8)E6 * 16 | E5[7:4]
                b2[6]);
    }

    /** The 26 bytes from 0x88 (0xA0 is unused and reads 0). */
    public byte[] block1() {
        byte[] b = new byte[BLOCK1_LENGTH];
        int[] words = {t1, t2, t3, p1, p2, p3, p4, p5, p6, p7, p8, p9};
        for (int i = 0; i < words.length; i++) {
            b[2 * i] = (byte) words[i];
            b[2 * i + 1] = (byte) (words[i] >> 8);
        }
        b[25] = (byte) h1;
        return b;
    }

    /** The 7 bytes from 0xE1. */
    public byte[] block2() {
        return new byte[] {(byte) h2, (byte) (h2 >> 8), (byte) h3, (byte) (h4 >> 4),
                (byte) (((h5 & 0x0F) << 4) | (h4 & 0x0F)), (byte) (h5 >> 4), (byte) h6};
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    private static int s16(byte[] b, int i) {
        return (short) u16(b, i);
    }
}
