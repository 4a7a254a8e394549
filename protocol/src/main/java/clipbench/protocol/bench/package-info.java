/** Benchmarks of the protocol's heads ({@link clipbench.protocol.bench.HeadsBenchmark}); not run by tests' timings. */
package clipbench.protocol.bench;
