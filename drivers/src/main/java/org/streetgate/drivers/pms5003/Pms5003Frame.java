package org.streetgate.drivers.pms5003;

import java.util.Map;

/**
 * One 32-byte measurement frame. "CF1" values are for factory calibration; the "atmospheric
 * environment" values are the ones to publish. Counts are particles per 0.1 L above each diameter.
 */
public record Pms5003Frame(int pm1Cf1, int pm25Cf1, int pm10Cf1,
                           int pm1Atm, int pm25Atm, int pm10Atm,
                           int over0_3um, int over0_5um, int over1_0um, int over2_5um, int over5_0um, int over10um,
                           int version, int errorCode) {

    /** A sensor still spinning up its fan sends frames whose data words are all zero. */
    public boolean warmingUp() {
        return pm1Cf1 == 0 && pm25Cf1 == 0 && pm10Cf1 == 0 && pm1Atm == 0 && pm25Atm == 0 && pm10Atm == 0
                && over0_3um == 0 && over0_5um == 0 && over1_0um == 0 && over2_5um == 0 && over5_0um == 0
                && over10um == 0;
    }

    public Map<String, Double> metrics() {
        return Map.of(
                "pm1_0_ug_m3", (double) pm1Atm,
                "pm2_5_ug_m3", (double) pm25Atm,
                "pm10_ug_m3", (double) pm10Atm);
    }

    /** The PMS5003's maximum range (Plantower datasheet: effective range 0-500, maximum range at least 1000 µg/m³). */
    public static final int MAX_UG_M3 = 1000;

    /**
     * Why this frame's published values cannot be measurements, by metric; empty when all are
     * plausible. A concentration above the sensor's maximum range is left out on its own. PM1.0,
     * PM2.5 and PM10 are cumulative (each includes the smaller sizes) and so are the particle counts
     * (particles above 0.3, 0.5, ... 10 µm): a frame where they are not passed its checksum by chance,
     * and none of its values is trusted.
     */
    public Map<String, String> invalid() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        boolean cumulativePm = pm1Atm <= pm25Atm && pm25Atm <= pm10Atm;
        boolean cumulativeCounts = over0_3um >= over0_5um && over0_5um >= over1_0um && over1_0um >= over2_5um
                && over2_5um >= over5_0um && over5_0um >= over10um;
        String whole = !cumulativePm ? "PM1.0 <= PM2.5 <= PM10 does not hold (" + pm1Atm + ", " + pm25Atm + ", " + pm10Atm + ")"
                : !cumulativeCounts ? "particle counts are not cumulative" : null;
        int[] values = {pm1Atm, pm25Atm, pm10Atm};
        String[] names = {"pm1_0_ug_m3", "pm2_5_ug_m3", "pm10_ug_m3"};
        for (int i = 0; i < names.length; i++) {
            if (whole != null) {
                out.put(names[i], whole);
            } else if (values[i] > MAX_UG_M3) {
                out.put(names[i], values[i] + " above the sensor's " + MAX_UG_M3 + " µg/m³ range");
            }
        }
        return out;
    }
}
