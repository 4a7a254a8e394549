package clipbench.upsamplers;

import clipbench.api.image.RgbImage;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The network outputs {@link SrModelUpsampler}s have made in this process, by network and input pixels, least
 * recently used dropped beyond a byte budget. A run embeds the same images on every backend, and a study runs the
 * same dataset for several backbones, so later passes reuse the first one's output instead of running the network
 * again: ESRGAN-slim x8 costs more per image than the backbone. Keys are the network's identity (model folder,
 * runtime, scale, tiling, value range) and the exact pixels (no hash collisions). Thread-safe (the embedding
 * pipeline's preparing threads call it at once; two threads may both compute one image, and keep the first).
 */
final class SrMemo {
    /** Enough for a few thousand 224 px outputs; the JVM's default heap on the smallest supported machine is larger. */
    static final long DEFAULT_BUDGET_BYTES = 512L << 20;

    /** The one memo of this process. */
    static final SrMemo SHARED = new SrMemo(DEFAULT_BUDGET_BYTES);

    private record Key(String network, int width, int height, ByteBuffer pixels) {
    }

    private final long budget;
    private long bytes;
    private final LinkedHashMap<Key, RgbImage> entries = new LinkedHashMap<>(64, 0.75f, true);

    SrMemo(long budgetBytes) {
        this.budget = budgetBytes;
    }

    /** The stored output of {@code network} for {@code input}, or {@code make}'s, stored. */
    RgbImage get(String network, RgbImage input, Function<RgbImage, RgbImage> make) {
        Key key = new Key(network, input.width(), input.height(), ByteBuffer.wrap(input.pixels().clone()));
        synchronized (this) {
            RgbImage known = entries.get(key);
            if (known != null) {
                return known;
            }
        }
        RgbImage made = make.apply(input);
        long size = key.pixels().capacity() + (long) made.pixels().length;
        if (size > budget) {
            return made;
        }
        synchronized (this) {
            RgbImage first = entries.putIfAbsent(key, made);
            if (first != null) {
                return first;
            }
            bytes += size;
            var it = entries.entrySet().iterator();
            while (bytes > budget && it.hasNext()) {
                Map.Entry<Key, RgbImage> eldest = it.next();
                bytes -= eldest.getKey().pixels().capacity() + (long) eldest.getValue().pixels().length;
                it.remove();
            }
        }
        return made;
    }

    /** How many outputs of {@code network} are stored. */
    synchronized long stored(String network) {
        return entries.keySet().stream().filter(k -> k.network().equals(network)).count();
    }

    synchronized int size() {
        return entries.size();
    }
}
