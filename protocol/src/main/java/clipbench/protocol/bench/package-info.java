/** Benchmarks: heads ({@link clipbench.protocol.bench.HeadsBenchmark}) and backbones ({@link clipbench.protocol.bench.BackboneBench}); tests never assert their timings. */
package clipbench.protocol.bench;
