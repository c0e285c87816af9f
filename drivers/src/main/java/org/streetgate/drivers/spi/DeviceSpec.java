package org.streetgate.drivers.spi;

import java.time.Duration;
import java.util.Optional;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.transport.SerialSettings;

/**
 * The keys every device in a profile shares. Driver-specific keys are parsed by the driver's
 * factory into its own config record.
 *
 * @param poll   how often to sample; null when the driver does not poll
 * @param serial the serial wiring, for drivers on a UART or RS-485 port
 * @param simulated true when the driver talks to its simulator instead of hardware
 */
public record DeviceSpec(String id, String driver, Duration poll, Optional<SerialSettings> serial,
                         boolean simulated, Position at) {}
