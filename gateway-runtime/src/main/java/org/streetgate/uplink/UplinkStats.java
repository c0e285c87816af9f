package org.streetgate.uplink;

import java.util.List;

/**
 * What the uplink has done since start, for the console summary and {@code health}.
 *
 * @param lastSyncMillis wall-clock time of the last PUBACK, 0 before the first
 * @param protocol       the MQTT version in use, in the profile's words
 * @param refused        topics the broker currently refuses (MQTT 5 PUBACK reason 0x80 or more)
 * @param alarmBlocked   the events topic is among them, so the {@code uplink.refused} alarm cannot get out
 * @param stalls         reconnects forced because PUBACKs stopped coming
 * @param received       messages the broker delivered (commands), and the largest of them in bytes
 * @param sendRefusals   publishes the MQTT client refused to send (retried); 0 when the in-flight cap is right
 * @param granted        what the broker granted at the last connect (Receive Maximum, keep-alive in force)
 */
public record UplinkStats(boolean connected, long messagesPublished, long recordsPublished, long connects,
                          long connectFailures, String lastError, double recordsPerSecond, long lastSyncMillis,
                          String protocol, List<MqttUplink.Refusal> refused, boolean alarmBlocked, long stalls,
                          long received, long receivedLargestBytes,
                          java.util.Optional<MqttTransport.Granted> granted, long sendRefusals) {}
