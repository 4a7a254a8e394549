package clipbench.protocol.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings provenance records are the ones the heads fit with. */
class HeadSettingsTest {
    @Test
    void liteStatesItsSweepAndLbfgsConstants() {
        Map<String, Object> s = new LiteHeadProvider().settings();
        assertEquals(List.of(2, 1, 0, -1, -2, -3, -4, -5, -6), s.get("l2_grid_exponents"));
        assertEquals(List.of(0.5, 0.25), s.get("l2_refine_steps_decades"));
        assertEquals(LiteHeadProvider.SWEEP_MAX_ROWS, s.get("sweep_max_rows"));
        Map<?, ?> sweep = (Map<?, ?>) s.get("lbfgs_sweep");
        Lbfgs.Options used = LiteHeadProvider.sweepOptions(16);
        assertEquals(used.maxIterations(), sweep.get("max_iterations"));
        assertEquals(used.relativeTolerance(), sweep.get("relative_tolerance"));
        assertEquals(used.gradientTolerance() * 4 + " / sqrt(d)", sweep.get("gradient_tolerance"), "d = 16");
        Map<?, ?> refit = (Map<?, ?>) s.get("lbfgs_refit");
        assertEquals(LiteHeadProvider.finalOptions(16).maxIterations(), refit.get("max_iterations"));
        assertEquals(LiteHeadProvider.finalOptions(1).gradientTolerance() + " / sqrt(d)", refit.get("gradient_tolerance"));
    }

    @Test
    void proStatesItsOptimiserAndStoppingRule() {
        Map<String, Object> s = new ProHeadProvider(0.01, 100).settings();
        assertEquals("Adam", s.get("optimiser"));
        assertEquals(0.01, s.get("learning_rate"));
        assertEquals(100, s.get("max_steps"));
        assertEquals(2048, s.get("batch_rows"));
        assertEquals("max(5, ceil(50 / steps per epoch))", s.get("patience_epochs"));
        assertEquals(ProHeadProvider.LEARNING_RATE, new ProHeadProvider().settings().get("learning_rate"));
    }
}
