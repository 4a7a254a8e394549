package clipbench.backend.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The ONNX Runtime session settings a user may choose ({@code --backend-option onnx.KEY=VALUE}), validated once.
 * Defaults are what measured best on CPU (see backend-onnx/README.md): full graph optimisation, one inter-op
 * thread, sequential execution, no spinning (a spinning ORT thread takes CPU from the image preparation threads
 * and from other processes: about 1.4x the images/s without it on a busy two-core machine), memory pattern
 * and CPU arena on, no optimised-model cache.
 *
 * @param optimization  graph optimisation level ({@code onnx.optimization}: all, extended, basic, none)
 * @param interOpThreads threads that run independent nodes ({@code onnx.inter-op-threads}; only used in parallel
 *                      execution mode)
 * @param parallel      {@code onnx.execution=parallel} instead of sequential
 * @param spinning      {@code onnx.spinning}: whether idle intra-op threads spin (ORT's
 *                      {@code session.intra_op.allow_spinning}, on in ORT itself); spinning costs CPU others could use
 * @param memoryPattern {@code onnx.memory-pattern}: plan allocations from the first run's shapes
 * @param cpuArena      {@code onnx.cpu-arena}: ORT's own CPU memory arena
 * @param dynamicBlockBase {@code onnx.dynamic-block-base}: ORT's {@code session.dynamic_block_base}, how finely
 *                      intra-op work is split so that a thread slowed by other processes delays less (0 = ORT's
 *                      static split)
 * @param cacheDir      {@code onnx.optimized-cache}: folder that keeps optimised models for later loads, or null
 *                      ({@code off})
 * @param source        {@code onnx.source}: which ONNX files run a CLIP card (see {@link OnnxSource})
 * @param checkpointCache {@code onnx.checkpoint-cache}: folder that keeps graphs written from checkpoints
 *                      (default {@code ~/.cache/clipbench/onnx-checkpoint})
 */
record OrtSettings(OptLevel optimization, int interOpThreads, boolean parallel, boolean spinning,
                   boolean memoryPattern, boolean cpuArena, int dynamicBlockBase, Path cacheDir,
                   OnnxSource.Choice source, Path checkpointCache) {
    static final String PREFIX = OnnxBackboneProvider.ID + ".";
    static final Set<String> KEYS = Set.of("optimization", "inter-op-threads", "execution", "spinning",
            "memory-pattern", "cpu-arena", "dynamic-block-base", "optimized-cache", "source", "checkpoint-cache");
    /** {@code onnx.optimized-cache=on}; also where int8 models are kept when that cache is off. */
    static final Path DEFAULT_CACHE_DIR = Path.of(System.getProperty("user.home"), ".cache", "clipbench",
            "ort-optimized");
    static final Path DEFAULT_CHECKPOINT_CACHE = Path.of(System.getProperty("user.home"), ".cache", "clipbench",
            "onnx-checkpoint");
    static final OrtSettings DEFAULTS = new OrtSettings(OptLevel.ALL_OPT, 1, false, false, true, true, 0, null,
            OnnxSource.Choice.AUTO, DEFAULT_CHECKPOINT_CACHE);

    OrtSettings {
        if (interOpThreads < 1) {
            throw new IllegalArgumentException(PREFIX + "inter-op-threads: must be >= 1, got " + interOpThreads);
        }
        if (dynamicBlockBase < 0) {
            throw new IllegalArgumentException(PREFIX + "dynamic-block-base: must be >= 0, got " + dynamicBlockBase);
        }
    }

    /** The {@code onnx.*} entries of {@code settings} (other backends' keys are theirs), or clear errors. */
    static OrtSettings parse(Map<String, String> settings) {
        OptLevel optimization = DEFAULTS.optimization;
        int interOp = DEFAULTS.interOpThreads;
        boolean parallel = DEFAULTS.parallel;
        boolean spinning = DEFAULTS.spinning;
        boolean memoryPattern = DEFAULTS.memoryPattern;
        boolean cpuArena = DEFAULTS.cpuArena;
        int blockBase = DEFAULTS.dynamicBlockBase;
        Path cacheDir = DEFAULTS.cacheDir;
        OnnxSource.Choice source = DEFAULTS.source;
        Path checkpointCache = DEFAULTS.checkpointCache;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!e.getKey().startsWith(PREFIX)) {
                continue;
            }
            String key = e.getKey().substring(PREFIX.length());
            String value = e.getValue().trim();
            switch (key) {
                case "optimization" -> optimization = switch (value.toLowerCase(Locale.ROOT)) {
                    case "all" -> OptLevel.ALL_OPT;
                    case "extended" -> OptLevel.EXTENDED_OPT;
                    case "basic" -> OptLevel.BASIC_OPT;
                    case "none" -> OptLevel.NO_OPT;
                    default -> throw bad(key, value, "all, extended, basic or none");
                };
                case "inter-op-threads" -> interOp = atLeast(key, value, 1);
                case "dynamic-block-base" -> blockBase = atLeast(key, value, 0);
                case "execution" -> parallel = switch (value.toLowerCase(Locale.ROOT)) {
                    case "sequential" -> false;
                    case "parallel" -> true;
                    default -> throw bad(key, value, "sequential or parallel");
                };
                case "spinning" -> spinning = bool(key, value);
                case "memory-pattern" -> memoryPattern = bool(key, value);
                case "cpu-arena" -> cpuArena = bool(key, value);
                case "optimized-cache" -> cacheDir = cacheDir(key, value);
                case "source" -> source = switch (value.toLowerCase(Locale.ROOT)) {
                    case "auto" -> OnnxSource.Choice.AUTO;
                    case "export" -> OnnxSource.Choice.EXPORT;
                    case "checkpoint" -> OnnxSource.Choice.CHECKPOINT;
                    default -> throw bad(key, value, "auto, export or checkpoint");
                };
                case "checkpoint-cache" -> checkpointCache = folder(key, value);
                default -> throw new IllegalArgumentException("--backend-option " + e.getKey() + ": unknown ONNX Runtime"
                        + " option; known: " + KEYS.stream().sorted().map(k -> PREFIX + k).toList());
            }
        }
        return new OrtSettings(optimization, interOp, parallel, spinning, memoryPattern, cpuArena, blockBase, cacheDir,
                source, checkpointCache);
    }

    /** Applies everything but the optimisation level, which depends on whether a cached model is loaded. */
    void applyTo(SessionOptions so) throws OrtException {
        so.setInterOpNumThreads(interOpThreads);
        so.setExecutionMode(parallel ? ExecutionMode.PARALLEL : ExecutionMode.SEQUENTIAL);
        so.addConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
        so.setMemoryPatternOptimization(memoryPattern);
        so.setCPUArenaAllocator(cpuArena);
        if (dynamicBlockBase > 0) {
            so.addConfigEntry("session.dynamic_block_base", Integer.toString(dynamicBlockBase));
        }
    }

    private static IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException("--backend-option " + PREFIX + key + "=" + value + ": expected " + expected);
    }

    private static int atLeast(String key, String value, int min) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(key, value, "a whole number >= " + min);
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "on", "1" -> true;
            case "false", "off", "0" -> false;
            default -> throw bad(key, value, "true or false");
        };
    }

    private static Path cacheDir(String key, String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "off", "false", "none" -> {
                return null;
            }
            case "on", "true", "default" -> {
                return DEFAULT_CACHE_DIR;
            }
            default -> {
                if (value.isEmpty()) {
                    throw bad(key, value, "off, on (~/.cache/clipbench/ort-optimized) or a folder");
                }
                return folder(key, value);
            }
        }
    }

    private static Path folder(String key, String value) {
        try {
            if (!value.isEmpty()) {
                return Path.of(value);
            }
        } catch (InvalidPathException e) {
            throw bad(key, value, "a folder (" + e.getMessage() + ")");
        }
        throw bad(key, value, "a folder");
    }
}
