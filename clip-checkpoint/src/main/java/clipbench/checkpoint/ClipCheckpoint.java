package clipbench.checkpoint;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A CLIP checkpoint ready for any runtime to build: weights under OpenAI's key names (whatever the layout on
 * disk), the architecture, and where it came from.
 *
 * @param weights      tensors named as in OpenAI's {@code model.py} state dict, float32 when read
 * @param architecture hyper-parameters inferred from shapes and configs
 * @param layout       the layout read: {@code openai}, {@code open_clip} or {@code transformers} ({@link ClipCheckpoints#LAYOUTS})
 * @param files        the files the towers are made of (for the model hash)
 * @param storedTypes  element types on disk; anything but {@code F32} was widened to float32
 */
public record ClipCheckpoint(Checkpoint weights, ClipArchitecture architecture, String layout, List<Path> files,
                             Set<String> storedTypes) {
    public ClipCheckpoint {
        files = List.copyOf(files);
        storedTypes = Collections.unmodifiableSortedSet(new TreeSet<>(storedTypes)); // describe()'s order: sorted
    }

    /** Whether some tensors were stored in half precision and widened to float32 on load. */
    public boolean widened() {
        return storedTypes.stream().anyMatch(t -> !t.equals("F32"));
    }

    /** One line for provenance, e.g. {@code openai safetensors (F16 widened to float32)}. */
    public String describe() {
        return layout + " safetensors" + (widened() ? " (" + String.join("+", storedTypes) + " widened to float32)" : "");
    }
}
