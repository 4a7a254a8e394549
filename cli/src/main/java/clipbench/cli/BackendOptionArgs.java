package clipbench.cli;

import clipbench.api.spi.BackendOptions;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --backend-option KEY=VALUE}, for the commands that open backbones from command-line options. */
final class BackendOptionArgs {
    @Option(names = "--backend-option", paramLabel = "KEY=VALUE",
            description = "A backend-specific setting, repeatable: a --backend id, a dot and the setting"
                    + " (e.g. onnx.spinning=false; see the README).")
    List<String> entries;

    /** The settings by key; a malformed or repeated entry is an error naming it. */
    Map<String, String> settings() {
        return BackendOptions.parseSettings(entries);
    }
}
