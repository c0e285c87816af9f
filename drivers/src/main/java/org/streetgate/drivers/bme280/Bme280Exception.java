package org.streetgate.drivers.bme280;

/** The chip at the configured address is not a working BME280. */
public final class Bme280Exception extends RuntimeException {
    public Bme280Exception(String message) {
        super(message);
    }

    static Bme280Exception wrongChip(int bus, int address, int chipId) {
        if (chipId == Bme280Codec.CHIP_ID_BMP280) {
            return new Bme280Exception(String.format("the chip at 0x%02X on I2C bus %d is a BMP280 (chip id 0x58), "
                    + "not a BME280 (0x60): it measures temperature and pressure but has no humidity sensor; "
                    + "fit a BME280 (boards are often mislabelled)", address, bus));
        }
        return new Bme280Exception(String.format("the chip at 0x%02X on I2C bus %d has chip id 0x%02X, not a BME280 "
                + "(0x60): another device answers at this address", address, bus, chipId));
    }
}
