package clipbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.Device;
import clipbench.protocol.Shots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunConfigTest {
    private static final Map<String, String> PLACES = Map.of("data", "/d", "root", "/r");

    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    private static RunSpec single(Path file) throws IOException {
        return RunConfig.read(file, PLACES).specs(b -> { }).get(0);
    }

    @Test
    void yamlBindsEveryKeyInBothListForms() throws IOException {
        RunSpec s = single(write("run.yaml", "backend: onnx,djl", "model: ${data}/models/m",
                "dataset: imagefolder:${root}/fruit", "protocol: [zero-shot, k-shot]", "upsampler: [bicubic, none]",
                "templates: photo", "k: [1, 4, all]", "seeds: 2", "heads: lite", "val-per-class: 1", "confusions: 5",
                "downscale: 100", "test-per-class: 7", "cache: none", "shots-from: earlier", "out: runs/a:b", "resume: true",
                "threads: 2", "device: auto", "batch-size: 7"));
        RunSpec expected = RunSpec.builder().backends(List.of("onnx", "djl")).model(Path.of("/d/models/m"))
                .dataset("imagefolder:/r/fruit").protocols(List.of("zero-shot", "k-shot"))
                .upsamplers(List.of("bicubic", "none")).templates("photo").ks(List.of(1, 4, Shots.ALL)).seeds(2)
                .heads(List.of("lite")).validationPerClass(1).confusedPairs(5).downscale(100).testPerClass(7)
                .cache((Path) null).shotsFrom(Path.of("earlier")).out(Path.of("runs/a:b")).resume(true).threads(2)
                .device(Device.AUTO).batchSize(7).build();
        assertEquals(expected, s);
    }

    @Test
    void jsonBindsTheSameKeys() throws IOException {
        RunSpec s = single(write("run.json", "{\"backend\": [\"onnx\"], \"model\": \"m\", \"dataset\": \"x:y\","
                + " \"out\": \"o\", \"k\": \"2,all\"}"));
        assertEquals(List.of(2, Shots.ALL), s.ks());
        assertEquals(List.of("onnx"), s.backends());
    }

    @Test
    void unknownKeyIsNamedWithTheFile() throws IOException {
        Path bad = write("bad.yaml", "backend: onnx", "modle: x");
        IOException e = assertThrows(IOException.class, () -> single(bad));
        assertTrue(e.getMessage().startsWith(bad + ": unknown key 'modle'"), e.getMessage());
        assertTrue(e.getMessage().contains("val-per-class"), "lists the known keys: " + e.getMessage());
    }

    @Test
    void wrongTypeNamesTheKeyAndFile() throws IOException {
        Path bad = write("bad.yaml", "backend: onnx", "seeds: many");
        IOException e = assertThrows(IOException.class, () -> single(bad));
        assertTrue(e.getMessage().startsWith(bad + ": run setting 'seeds'"), e.getMessage());
    }

    /** No coercion: a float is not an int, text is not a number, null is not a number, a list is not text. */
    @Test
    void valuesOfTheWrongShapeAreRefusedNotCoerced() throws IOException {
        String[][] cases = {{"threads: 2.5", "threads"}, {"seeds: \"3\"", "seeds"}, {"batch-size: ~", "batch-size"},
                {"val-per-class: 1.0", "val-per-class"}, {"resume: \"yes\"", "resume"}, {"dataset: [a, b]", "dataset"},
                {"templates: {a: 1}", "templates"}};
        for (String[] c : cases) {
            Path bad = write("shape.yaml", "backend: onnx", "model: m", "dataset: imagefolder:x", "out: o", c[0]);
            IOException e = assertThrows(IOException.class, () -> single(bad), c[0]);
            assertTrue(e.getMessage().startsWith(bad + ": run setting '" + c[1] + "'"), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void unknownPlaceholderIsNamed() throws IOException {
        Path bad = write("bad.yaml", "model: ${home}/m");
        IOException e = assertThrows(IOException.class, () -> RunConfig.read(bad, PLACES));
        assertTrue(e.getMessage().contains("${home}") && e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void studyRunsInheritSharedSettingsAndWriteToOutName() throws IOException {
        Path file = write("study.yaml", "backend: onnx", "model: m", "seeds: 2", "out: base", "runs:",
                "  first:", "    dataset: a:1", "  second:", "    dataset: b:2", "    seeds: 5");
        RunConfig config = RunConfig.read(file, PLACES);
        assertTrue(config.isStudy());
        List<RunSpec> specs = config.specs(b -> { });
        assertEquals(List.of(Path.of("base/first"), Path.of("base/second")), specs.stream().map(RunSpec::out).toList());
        assertEquals(List.of(2, 5), specs.stream().map(RunSpec::seeds).toList());
        assertEquals(List.of("a:1", "b:2"), specs.stream().map(RunSpec::dataset).toList());
    }

    @Test
    void studyRunMayNotSetOut() throws IOException {
        Path file = write("study.yaml", "runs:", "  one:", "    out: elsewhere");
        IOException e = assertThrows(IOException.class, () -> RunConfig.read(file, PLACES));
        assertTrue(e.getMessage().contains("'out'") && e.getMessage().contains("one"), e.getMessage());
    }

    @Test
    void commandLineOverridesTheFileForEveryRun() throws IOException {
        Path file = write("study.yaml", "backend: onnx", "model: m", "out: base", "cache: /c", "runs:",
                "  first:", "    dataset: a:1", "    seeds: 5", "  second:", "    dataset: b:2");
        RunCommand cmd = new RunCommand();
        new CommandLine(cmd).parseArgs("--config", file.toString(), "--seeds", "4", "--backend", "djl,tensorflow",
                "--out", "elsewhere", "--resume", "--cache", "none");
        List<RunSpec> specs = cmd.specs(RunConfig.read(file, PLACES));
        for (RunSpec s : specs) {
            assertEquals(4, s.seeds(), "the option beats the run's own seeds");
            assertEquals(List.of("djl", "tensorflow"), s.backends());
            assertTrue(s.resume());
            assertNull(s.cache());
            assertEquals(Path.of("elsewhere"), s.out().getParent());
        }
    }

    @Test
    void optionsNotGivenKeepTheFileValues() throws IOException {
        Path file = write("run.yaml", "backend: onnx", "model: m", "dataset: a:1", "out: o", "seeds: 9",
                "batch-size: 3", "device: gpu");
        RunCommand cmd = new RunCommand();
        new CommandLine(cmd).parseArgs("--config", file.toString(), "--threads", "2");
        RunSpec s = cmd.specs(cmd.file()).get(0);
        assertEquals(9, s.seeds());
        assertEquals(3, s.batchSize());
        assertEquals(Device.GPU, s.device());
        assertEquals(2, s.threads());
        assertFalse(s.resume());
    }

    @Test
    void commandLineAloneNeedsNoFile() throws IOException {
        RunCommand cmd = new RunCommand();
        new CommandLine(cmd).parseArgs("--backend", "onnx", "--model", "m", "--dataset", "a:1", "--out", "o",
                "--k", "1,all", "--resume", "false");
        RunConfig none = cmd.file();
        assertFalse(none.isStudy());
        RunSpec s = cmd.specs(none).get(0);
        assertEquals(List.of(1, Shots.ALL), s.ks());
        assertFalse(s.resume());
    }
}
