package org.streetgate.uplink;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Properties;

/**
 * An in-process MQTT broker on a loopback port, behind {@code platform.url: embedded}, so a demo
 * runs with nothing installed. Not for production or measurements: it is slow with large messages.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final Server server = new Server();
    private final int port;

    private EmbeddedBroker(int port) {
        this.port = port;
    }

    public static EmbeddedBroker start() {
        int port = freeLoopbackPort();
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(port));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("allow_anonymous", "true");
        // mosquitto_sub and mosquitto_pub send an empty client id with a clean session (MQTT 3.1.1 §3.1.3.1).
        p.setProperty("allow_zero_byte_client_id", "true");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("netty.mqtt.message_size", Integer.toString(8 * 1024 * 1024));
        EmbeddedBroker broker = new EmbeddedBroker(port);
        try {
            broker.server.startServer(new MemoryConfig(p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded broker on 127.0.0.1:" + port, e);
        }
        return broker;
    }

    public static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    public int port() {
        return port;
    }

    /** The exact command a demo prints for watching everything under {@code topicPrefix}. */
    public String watchCommand(String topicPrefix) {
        return "mosquitto_sub -h 127.0.0.1 -p " + port + " -t '" + topicPrefix + "/#' -v";
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.stopServer();
    }
}
