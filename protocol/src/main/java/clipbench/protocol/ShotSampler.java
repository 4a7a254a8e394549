package clipbench.protocol;

import clipbench.api.spi.DatasetItem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws k training images per class with a seeded sampler. Each class's items (sorted by id) are
 * shuffled once per seed, so the draws depend only on the item ids, labels and the seed: every backend
 * and upsampler sees the same shots, and the k-shot sets are nested (the 1 shot is among the 2 shots).
 * Validation images are taken from the other end of the same shuffle, so they never overlap the shots.
 */
public final class ShotSampler {
    private final int maxValidationPerClass;

    /**
     * @param maxValidationPerClass at most this many validation images per class for k shots; fewer when
     *                              a class has no images left after its shots (then heads fall back as they
     *                              document). With k = all, 10 % of each class (none if this is 0).
     */
    public ShotSampler(int maxValidationPerClass) {
        if (maxValidationPerClass < 0) {
            throw new IllegalArgumentException("validation per class: must be >= 0");
        }
        this.maxValidationPerClass = maxValidationPerClass;
    }

    /**
     * @param train      items of the training split (never the test split)
     * @param numClasses number of classes
     * @param k          shots per class, or {@link Shots#ALL}
     */
    public Shots sample(List<DatasetItem> train, int numClasses, int k, long seed) {
        if (k == 0 || k < Shots.ALL) {
            throw new IllegalArgumentException("k: must be positive or 'all', got " + k);
        }
        List<List<DatasetItem>> byClass = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            byClass.add(new ArrayList<>());
        }
        for (DatasetItem item : train) {
            byClass.get(item.label()).add(item);
        }
        List<String> shots = new ArrayList<>();
        List<String> validation = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            List<DatasetItem> items = byClass.get(c);
            items.sort(Comparator.comparing(DatasetItem::id));
            shuffle(items, new SplittableRandom(mix(seed, c)));
            int n = items.size();
            int take;
            int val;
            if (k == Shots.ALL) {
                // "all": hold out 10 % for model selection, as the CLIP paper's linear probes did.
                val = maxValidationPerClass == 0 ? 0 : n / 10;
                take = n - val;
            } else {
                take = Math.min(k, n);
                val = Math.min(maxValidationPerClass, n - take);
            }
            for (int i = 0; i < take; i++) {
                shots.add(items.get(i).id());
            }
            for (int i = n - val; i < n; i++) {
                validation.add(items.get(i).id());
            }
        }
        return new Shots(k, seed, shots, validation);
    }

    private static long mix(long seed, int c) {
        long z = seed * 0x9E3779B97F4A7C15L + c * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 31);
    }

    private static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
