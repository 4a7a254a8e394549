package clipbench.cli;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.checkpoint.ClipCheckpoint;
import clipbench.checkpoint.ClipCheckpoints;
import clipbench.checkpoint.ParameterCount;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code clipbench inspect DIR}: what a model folder is, read the way every backend reads it (card or inferred
 * layout, checkpoint architecture and parameter count), without opening any runtime.
 */
@Command(name = "inspect", description = "Describe a model folder: its card (or the layout it was inferred from),"
        + " its artifacts and, for a CLIP checkpoint, the architecture and parameter counts.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Model directory.")
    Path model;

    @Override
    public Integer call() throws Exception {
        ModelCard card = ModelCards.load(model);
        System.out.println("model      " + card.name() + " (family " + card.family() + ")");
        System.out.println("directory  " + card.directory());
        System.out.println("input      " + card.preprocess().imageSize() + " px, preprocess "
                + card.preprocess().mode());
        System.out.println("embedding  " + (card.embedDim() > 0 ? card.embedDim() : "from the model")
                + ", context length " + card.contextLength());
        for (Map.Entry<String, Map<String, String>> format : card.artifacts().entrySet()) {
            System.out.println("artifact   " + format.getKey() + " " + format.getValue());
        }
        if (ClipCheckpoints.file(card).isPresent()) {
            ClipCheckpoint checkpoint = ClipCheckpoints.open(card);
            ParameterCount count = ParameterCount.of(checkpoint.weights());
            System.out.println("checkpoint " + checkpoint.describe());
            System.out.println("network    " + checkpoint.architecture());
            System.out.printf("parameters %,d (image tower %,d, text tower %,d, other %,d)%n", count.total(),
                    count.image(), count.text(), count.other());
        }
        return 0;
    }
}
