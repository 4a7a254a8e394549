package clipbench.cli;

import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Device;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command that runs a backbone shares. */
final class BackendArgs {
    @Option(names = "--threads", defaultValue = "0",
            description = "Intra-op threads per backend (0 = runtime default).")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--batch-size", defaultValue = "32", description = "Images per backbone call (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--backend-option", paramLabel = "KEY=VALUE",
            description = "A backend-specific setting, repeatable: the backend id, a dot and the setting"
                    + " (e.g. onnx.spinning=false; see the README).")
    List<String> backendOptions;

    /** The options for {@code provider}, its --backend-option settings checked by it. */
    BackendOptions options(BackboneProvider provider) {
        Map<String, String> settings = BackendOptions.parseSettings(backendOptions);
        BackendOptions.requireBackendPrefixes(settings, List.of(provider.id()));
        provider.checkSettings(settings);
        return new BackendOptions(threads, Device.parse(device), settings);
    }
}
