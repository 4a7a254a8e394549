package clipbench.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an UpscalerJS ESRGAN package ({@code @upscalerjs/esrgan-slim}, {@code -medium}, {@code -thick}) says about
 * its networks, read from its JavaScript without running it. The packages' shared definition
 * ({@code packages/shared/src/esrgan/esrgan.js}) gives {@code inputRange}/{@code outputRange} [0, 255] to the
 * {@code rdn} architecture and [0, 1] to any other ({@code rrdn}); each package's {@code getModelDefinition.js}
 * names its architecture.
 */
public final class UpscalerJs {
    /** The tile size the packages train and patch with ({@code meta.patchSize}, 128; 129 for x3). */
    public static final int TILE = 128;

    private static final Pattern ARCHITECTURE = Pattern.compile("architecture:\\s*[\"'](\\w+)[\"']");
    /** The rdn branch of the shared definition, up to its first inputRange. */
    private static final Pattern RDN_RANGE = Pattern.compile(
            "architecture === 'rdn'(?:(?!inputRange).)*inputRange:\\s*\\[0,\\s*255\\b", Pattern.DOTALL);

    private UpscalerJs() {
    }

    /**
     * The pixel range's top ({@code 255} or {@code 1}) of the network whose {@code model.json} is {@code topology},
     * when it lies in an UpscalerJS ESRGAN package; empty otherwise.
     */
    public static Optional<Double> valueMax(Path topology) throws IOException {
        for (Path p = topology.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            Path pkg = p.resolve("package.json");
            if (!Files.isRegularFile(pkg)) {
                continue;
            }
            JsonNode n = new ObjectMapper().readTree(pkg.toFile());
            String name = n.path("name").asText("");
            if (!name.startsWith("@upscalerjs/esrgan-")) {
                return Optional.empty();
            }
            String shortName = name.substring("@upscalerjs/".length());
            Path definition = p.resolve("dist/cjs/models/" + shortName + "/src/getModelDefinition.js");
            Path shared = p.resolve("dist/cjs/packages/shared/src/esrgan/esrgan.js");
            if (!Files.isRegularFile(definition) || !Files.isRegularFile(shared)) {
                throw new IOException(pkg + ": " + name + " has no " + p.relativize(definition) + " or "
                        + p.relativize(shared) + " to read its value range from");
            }
            Matcher m = ARCHITECTURE.matcher(Files.readString(definition, StandardCharsets.UTF_8));
            if (!m.find()) {
                throw new IOException(definition + ": names no architecture");
            }
            if (!RDN_RANGE.matcher(Files.readString(shared, StandardCharsets.UTF_8)).find()) {
                throw new IOException(shared + ": does not give the rdn architecture inputRange [0, 255] as "
                        + "@upscalerjs 1.0.0 does; pass the value range explicitly");
            }
            return Optional.of(m.group(1).equals("rdn") ? 255.0 : 1.0);
        }
        return Optional.empty();
    }
}
