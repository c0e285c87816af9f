package org.streetgate.drivers.transport;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.gpio.digital.LinuxFsDigitalInputProvider;
import com.pi4j.plugin.linuxfs.provider.gpio.digital.LinuxFsDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.i2c.LinuxFsI2CProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import java.util.Locale;

/**
 * Builds Pi4J contexts with an explicit provider list, never by auto-detection (which would quietly
 * fall back to mocks off a Pi). Real GPIO: {@code gpiod} (the kernel's character device,
 * {@code /dev/gpiochipN}; the default) or {@code linuxfs} (the old sysfs interface), chosen by the
 * environment variable {@code STREETGATE_GPIO_PROVIDER}; real I2C: {@code linuxfs}
 * ({@code /dev/i2c-N}). Simulation: Pi4J's mock providers. gpiod uses the chip whose label holds
 * "pinctrl" (the header's bank on a Pi 4 and a Pi 5) unless {@code STREETGATE_GPIO_CHIP} names one,
 * e.g. {@code gpiochip0}.
 */
final class Pi4jContexts {
    static final String GPIO_PROVIDER_ENV = "STREETGATE_GPIO_PROVIDER";
    static final String GPIO_CHIP_ENV = "STREETGATE_GPIO_CHIP";

    private Pi4jContexts() {}

    /** The GPIO provider family for real pins: {@code gpiod} unless the environment says {@code linuxfs}. */
    static String realGpioProvider() {
        String p = System.getenv(GPIO_PROVIDER_ENV);
        p = p == null || p.isBlank() ? "gpiod" : p.trim().toLowerCase(Locale.ROOT);
        if (!p.equals("gpiod") && !p.equals("linuxfs")) {
            throw new GpioException(GPIO_PROVIDER_ENV + " must be gpiod or linuxfs, not '" + p + "'");
        }
        return p;
    }

    static Context real() {
        var b = Pi4J.newContextBuilder().noAutoDetect();
        if (realGpioProvider().equals("gpiod")) {
            String chip = System.getenv(GPIO_CHIP_ENV);
            if (chip != null && !chip.isBlank()) {
                b.setGpioChipName(chip.trim());
            }
            b.add(GpioDDigitalInputProvider.newInstance(), GpioDDigitalOutputProvider.newInstance());
        } else {
            b.add(LinuxFsDigitalInputProvider.newInstance(), LinuxFsDigitalOutputProvider.newInstance());
        }
        return b.build();
    }

    static Context realI2c() {
        return Pi4J.newContextBuilder().noAutoDetect().add(LinuxFsI2CProvider.newInstance()).build();
    }

    static Context mock() {
        return Pi4J.newContextBuilder().noAutoDetect()
                .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance())
                .build();
    }
}
