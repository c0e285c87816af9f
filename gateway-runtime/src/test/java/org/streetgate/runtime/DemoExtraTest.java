package org.streetgate.runtime;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DemoExtraTest {
    @Test
    void aMissingDemoClassIsNamedWithWhatNeedsItAndHowToGetIt() {
        var e = assertThrows(IllegalStateException.class,
                () -> DemoExtra.require("platform.url: embedded", "io.moquette.broker.NoSuchServer"));
        assertTrue(e.getMessage().startsWith("platform.url: embedded needs the demo extra (dist/demo-lib)"), e.getMessage());
        assertTrue(e.getMessage().contains("STREETGATE_DEMO=1"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Missing: io.moquette.broker.NoSuchServer"), e.getMessage());
    }

    @Test
    void thePresentDemoExtraPasses() {
        // The test class path has the demo extra (scope provided): the real class names must resolve.
        assertDoesNotThrow(() -> DemoExtra.require("broker", DemoExtra.BROKER_CLASS));
        assertDoesNotThrow(() -> DemoExtra.require("rendering", DemoExtra.RENDERING_CLASS));
    }
}
