package clipbench.keras.contract;

/**
 * {@link KerasReference} itself on the real nsfwjs models: it reproduces nsfwjs's JavaScript to float32 rounding
 * (probabilities within 1e-6, features within 1e-5), which is what makes it the reference for every runtime.
 */
class ReferenceNsfwjsContractTest extends NsfwjsContractTest {
    @Override
    protected KerasRunner runner() {
        return KerasReference.RUNNER;
    }

    @Override
    protected double probabilityTolerance() {
        return 1e-6;
    }

    @Override
    protected double featureTolerance() {
        return 1e-5;
    }
}
