package org.streetgate.drivers.dock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.dock.DockInputs.CoverReport;
import org.streetgate.drivers.dock.DockStateMachine.CoverState;

/** The cover's edge state machine, driven by a fake clock (nanoseconds) instead of sleeping. */
class DockStateMachineTest {
    private static final long S = 1_000_000_000L;

    private static DockStateMachine started(CoverReport at) {
        DockStateMachine sm = new DockStateMachine(Duration.ofSeconds(30));
        sm.observe(at, 0);
        return sm;
    }

    @Test
    void first_reading_sets_the_state_and_half_open_at_start_up_is_abnormal() {
        assertEquals(CoverState.CLOSED, started(CoverReport.CLOSED).state().orElseThrow());
        assertEquals(CoverState.OPEN, started(CoverReport.OPEN).state().orElseThrow());
        DockStateMachine half = started(CoverReport.HALF_OPEN);
        assertEquals(CoverState.ABNORMAL, half.state().orElseThrow());
        assertEquals("cover half-open at start-up", half.abnormalReason());
        assertTrue(new DockStateMachine(Duration.ofSeconds(1)).state().isEmpty());
    }

    @Test
    void open_command_then_limit_switch_goes_closed_opening_open() {
        DockStateMachine sm = started(CoverReport.CLOSED);
        var t = sm.open("cover-open command", 1 * S).orElseThrow();
        assertEquals(CoverState.CLOSED, t.from());
        assertEquals(CoverState.OPENING, t.to());
        assertTrue(sm.moving());
        assertTrue(sm.observe(CoverReport.HALF_OPEN, 10 * S).isEmpty(), "half-open while opening is expected");
        var done = sm.observe(CoverReport.OPEN, 20 * S).orElseThrow();
        assertEquals(CoverState.OPEN, done.to());
        assertFalse(sm.moving());
        assertEquals(1, CoverState.OPEN.code());
    }

    @Test
    void close_command_then_limit_switch_goes_open_closing_closed() {
        DockStateMachine sm = started(CoverReport.OPEN);
        assertEquals(CoverState.CLOSING, sm.close("auto", 0).orElseThrow().to());
        assertEquals(2, CoverState.CLOSING.code(), "moving reads as half-open to the platform");
        assertEquals(CoverState.CLOSED, sm.observe(CoverReport.CLOSED, 5 * S).orElseThrow().to());
    }

    @Test
    void motion_that_outlasts_the_timeout_is_abnormal_with_the_reason() {
        DockStateMachine sm = started(CoverReport.CLOSED);
        sm.open("cmd", 100 * S);
        assertTrue(sm.observe(CoverReport.HALF_OPEN, 130 * S).isEmpty(), "exactly the timeout is still in time");
        var t = sm.observe(CoverReport.HALF_OPEN, 130 * S + 1).orElseThrow();
        assertEquals(CoverState.ABNORMAL, t.to());
        assertEquals("cover did not open within 30 s (still half-open)", t.reason());
        assertEquals(3, sm.state().orElseThrow().code());
    }

    @Test
    void a_closing_cover_that_never_leaves_open_times_out_too() {
        DockStateMachine sm = started(CoverReport.OPEN);
        sm.close("cmd", 0);
        var t = sm.observe(CoverReport.OPEN, 31 * S).orElseThrow();
        assertEquals("cover did not close within 30 s (still open)", t.reason());
    }

    @Test
    void uncommanded_movement_and_plc_faults_are_abnormal() {
        DockStateMachine closed = started(CoverReport.CLOSED);
        assertEquals(CoverState.ABNORMAL, closed.observe(CoverReport.HALF_OPEN, S).orElseThrow().to());
        DockStateMachine open = started(CoverReport.OPEN);
        assertEquals("cover left the open position without a command",
                open.observe(CoverReport.CLOSED, S).orElseThrow().reason());
        DockStateMachine moving = started(CoverReport.CLOSED);
        moving.open("cmd", 0);
        assertEquals("PLC reports a cover fault", moving.observe(CoverReport.FAULT, S).orElseThrow().reason());
        assertTrue(moving.observe(CoverReport.FAULT, 2 * S).isEmpty(), "no repeated transition while abnormal");
    }

    @Test
    void abnormal_clears_only_through_a_commanded_motion_that_completes() {
        DockStateMachine sm = started(CoverReport.HALF_OPEN);
        assertTrue(sm.observe(CoverReport.CLOSED, S).isEmpty(), "a closed report alone does not clear abnormal");
        assertEquals(CoverState.ABNORMAL, sm.state().orElseThrow());
        assertEquals(CoverState.CLOSING, sm.close("operator", 2 * S).orElseThrow().to());
        assertEquals(CoverState.CLOSED, sm.observe(CoverReport.CLOSED, 3 * S).orElseThrow().to());
    }

    @Test
    void commands_toward_the_current_target_are_no_ops_and_a_reverse_restarts_the_clock() {
        DockStateMachine sm = started(CoverReport.CLOSED);
        assertTrue(sm.close("again", 0).isEmpty());
        sm.open("cmd", 0);
        assertTrue(sm.open("again", 5 * S).isEmpty());
        assertEquals(CoverState.CLOSING, sm.close("reverse", 25 * S).orElseThrow().to());
        assertTrue(sm.observe(CoverReport.HALF_OPEN, 50 * S).isEmpty(), "the timeout counts from the reversal");
    }

    @Test
    void a_halt_while_moving_is_abnormal_and_at_rest_is_nothing() {
        DockStateMachine sm = started(CoverReport.CLOSED);
        assertTrue(sm.halt("e-stop").isEmpty());
        sm.open("cmd", 0);
        assertEquals("e-stop", sm.halt("e-stop").orElseThrow().reason());
    }
}
