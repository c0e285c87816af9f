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
}
