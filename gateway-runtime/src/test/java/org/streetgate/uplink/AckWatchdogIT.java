package org.streetgate.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.Subscriber;

/**
 * A connection that stays up but stops acknowledging (a wedged broker, a middlebox eating packets)
 * must not stall the uplink for ever: after {@code ack-timeout} with messages in flight it is
 * dropped and made again, and once PUBACKs flow every record arrives.
 */
class AckWatchdogIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"5", "3.1.1"})
    void no_puback_for_ack_timeout_forces_a_reconnect_and_nothing_is_lost(String protocol) throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); PubackEater proxy = new PubackEater(broker.port());
             Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/#")) {
            String sensors = "  - {id: air-1, driver: pms5003, serial: {port: /dev/ttyAMA0}, poll: 50ms, sim: true}";
            String yaml = Profiles.gateway("tcp://127.0.0.1:" + proxy.port(), "protocol: \"" + protocol + "\"\n  ack-timeout: 2s", "{path: outbox.db, max-bytes: 16MiB}", sensors);
            long closing = Long.MAX_VALUE;
            Gateway gateway = Gateway.start(Profiles.load(dir, "pole", yaml), dir.resolve("data"), false);
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (gateway.uplink().stats().stalls() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                UplinkStats stalled = gateway.uplink().stats();
                assertTrue(stalled.stalls() >= 1, "the watchdog fired");
                assertTrue(proxy.eaten.get() > 0, "PUBACKs were withheld");
                String error = stalled.lastError();
                @SuppressWarnings("unchecked")
                var health = (java.util.Map<String, Object>) gateway.health().snapshot().get("uplink");
                assertTrue(String.valueOf(health.get("last_error")).startsWith("no PUBACK for"), String.valueOf(health));
                if (protocol.equals("3.1.1")) {
                    // Paho v3 can lose a message on a forced reconnect: on 3.1.1 the watchdog only reports.
                    assertTrue(error != null && error.matches("no PUBACK for \\d+ s with \\d+ messages in flight"
                            + " \\(MQTT 3\\.1\\.1: not reconnecting.*"), error);
                    assertEquals(1, gateway.uplink().stats().connects(), "3.1.1 keeps its connection");
                } else {
                    assertTrue(error != null && error.matches("no PUBACK for \\d+ s with \\d+ messages in flight: reconnecting.*"), error);
                    while (gateway.uplink().stats().connects() < 2 && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    assertTrue(gateway.uplink().stats().connects() >= 2, "connected again after the watchdog dropped the connection");
                    proxy.passPubacks();
                    long published = gateway.uplink().stats().messagesPublished();
                    while ((gateway.uplink().stats().messagesPublished() <= published || gateway.outbox().stats().rows() > 40)
                            && System.nanoTime() < deadline + Duration.ofSeconds(20).toNanos()) {
                        Thread.sleep(20);
                    }
                    assertTrue(gateway.uplink().stats().messagesPublished() > published, "PUBACKs flow again");
                }
            } finally {
                closing = System.currentTimeMillis();
                gateway.close();
            }
            // Every seq made is either at the platform or still in the outbox: none lost.
            TreeSet<Long> seqs = new TreeSet<>();
            long last;
            try (var box = org.streetgate.outbox.SqliteOutbox.open(dir.resolve("data/outbox.db"),
                    new org.streetgate.outbox.SqliteOutbox.Settings(16 << 20, Duration.ofMillis(10), 100, 1))) {
                last = box.lastSeq();
                for (var kind : org.streetgate.outbox.Kind.values()) {
                    box.read(kind, 0, 1_000_000, Integer.MAX_VALUE).forEach(r -> seqs.add(r.seq()));
                }
            }
            int kept = seqs.size();
            int wills = 0;
            while (true) {
                Subscriber.Received r = sub.poll(Duration.ofSeconds(20));
                assertTrue(r != null, "the gateway's offline state came");
                if (r.topic().endsWith("/state") && "offline".equals(r.json().path("state").asText())) {
                    if (r.json().path("ts").asLong() >= closing) {
                        break; // the clean stop's
                    }
                    wills++; // the will, published by the broker when the watchdog dropped the connection
                }
                if (r.topic().endsWith("/telemetry") || r.topic().endsWith("/events")) {
                    r.json().get("records").forEach(rec -> seqs.add(rec.get("seq").asLong()));
                }
            }
            if (protocol.equals("5")) {
                assertEquals(0, wills, "will-delay (30 s) outlasts the reconnect: the platform never saw offline");
                assertTrue(last > kept, "some records were delivered, not all kept: " + kept + " of " + last);
            } else {
                assertEquals(0, wills, "3.1.1 kept its connection: no will");
            }
            assertEquals(last, seqs.size(), "every seq from 1 to " + last + " is at the platform or in the outbox");
            assertEquals(last, seqs.last().longValue());
        }
    }

    /**
     * A TCP proxy to the broker that parses the broker's MQTT packets and drops every PUBACK until
     * told to pass them: to the gateway the connection looks alive (CONNACK, SUBACK and PINGRESP
     * still come), it just never hears that a publish arrived.
     */
    private static final class PubackEater implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        private final int brokerPort;
        private volatile boolean eat = true;
        final AtomicLong eaten = new AtomicLong();

        PubackEater(int brokerPort) throws IOException {
            this.brokerPort = brokerPort;
            Thread.ofVirtual().start(this::accept);
        }

        int port() {
            return server.getLocalPort();
        }

        void passPubacks() {
            eat = false;
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
                    Thread.ofVirtual().start(() -> copy(client, upstream));
                    Thread.ofVirtual().start(() -> packets(upstream, client));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void copy(Socket from, Socket to) {
            try (from; to) {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (IOException e) {
                // either side closed
            }
        }

        private void packets(Socket from, Socket to) {
            try (from; to) {
                DataInputStream in = new DataInputStream(from.getInputStream());
                OutputStream out = to.getOutputStream();
                while (true) {
                    int first = in.read();
                    if (first < 0) {
                        return;
                    }
                    java.io.ByteArrayOutputStream header = new java.io.ByteArrayOutputStream();
                    header.write(first);
                    int length = 0;
                    for (int shift = 0; ; shift += 7) { // remaining length: 7 bits a byte, high bit = more
                        int b = in.readUnsignedByte();
                        header.write(b);
                        length |= (b & 0x7F) << shift;
                        if ((b & 0x80) == 0) {
                            break;
                        }
                    }
                    byte[] body = in.readNBytes(length);
                    if (eat && (first >> 4) == 4) { // PUBACK
                        eaten.incrementAndGet();
                        continue;
                    }
                    out.write(header.toByteArray());
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // either side closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
