package clipbench.protocol;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.DatasetItem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The items of one embedding call cut into chunks, each prepared (read, upsampled, preprocessed) into a float
 * buffer from a bounded pool, by worker threads or inline, and handed back in chunk order.
 *
 * <p>The pool is the back-pressure: a worker takes a buffer before it takes the next chunk, and a buffer comes
 * back only when the consumer {@link #release}s the chunk, so at most {@code pool} chunks are prepared and not
 * yet consumed. Taking the buffer first cannot deadlock: the chunk the consumer waits for is either being
 * prepared by a worker that holds a buffer, or not taken yet, in which case every earlier chunk was released.
 */
final class PreparedChunks {
    /** Prepares one item into {@code dst} at {@code offset}; returns the upsampled image. */
    @FunctionalInterface
    interface Preparer {
        RgbImage prepare(DatasetItem item, float[] dst, int offset) throws IOException;
    }

    /**
     * One item of a chunk: prepared at {@code offset} of the chunk's data (and its upsampled image, when kept),
     * or skipped for {@code reason}.
     */
    record Slot(DatasetItem item, int offset, RgbImage upsampled, String reason) {
    }

    /** A prepared chunk: its items in order; the readable ones packed at the start of {@code data}. */
    record Chunk(int index, float[] data, List<Slot> slots) {
    }

    private final List<DatasetItem> items;
    private final int chunkSize;
    private final int per;
    private final int pool;
    private final boolean keepImages;
    private final Preparer preparer;
    private final int chunks;
    private final BlockingQueue<float[]> free;
    private final AtomicInteger allocated = new AtomicInteger();

    PreparedChunks(List<DatasetItem> items, int chunkSize, int per, int pool, boolean keepImages, Preparer preparer) {
        this.items = items;
        this.chunkSize = chunkSize;
        this.per = per;
        this.pool = Math.max(1, pool);
        this.keepImages = keepImages;
        this.preparer = preparer;
        this.chunks = (items.size() + chunkSize - 1) / chunkSize;
        this.free = new ArrayBlockingQueue<>(this.pool);
    }

    int chunks() {
        return chunks;
    }

    /** Prepares chunk {@code index} on the calling thread (no worker threads). */
    Chunk prepareInline(int index) throws InterruptedException {
        return fill(index, acquire());
    }

    /** Gives the chunk's buffer back to the pool; the chunk must not be read afterwards. */
    void release(Chunk chunk) {
        free.add(chunk.data());
    }

    /** Starts {@code threads} workers preparing every chunk in order of index; close them when done. */
    Workers start(int threads) {
        return new Workers(threads);
    }

    /** A buffer from the pool, allocated on first need, so a short call allocates only what it uses. */
    private float[] acquire() throws InterruptedException {
        float[] buffer = free.poll();
        if (buffer != null) {
            return buffer;
        }
        while (true) {
            int n = allocated.get();
            if (n >= pool) {
                return free.take();
            }
            if (allocated.compareAndSet(n, n + 1)) {
                return new float[chunkSize * per];
            }
        }
    }

    private Chunk fill(int index, float[] data) {
        int from = index * chunkSize;
        int to = Math.min(items.size(), from + chunkSize);
        List<Slot> slots = new ArrayList<>(to - from);
        int packed = 0;
        for (int i = from; i < to; i++) {
            DatasetItem item = items.get(i);
            // Any one image may fail only itself: unreadable, too large, or an aspect ratio no resize can take.
            // A failure leaves its place half written; the next readable image overwrites it.
            try {
                RgbImage up = preparer.prepare(item, data, packed * per);
                slots.add(new Slot(item, packed * per, keepImages ? up : null, null));
                packed++;
            } catch (IOException | RuntimeException e) {
                slots.add(new Slot(item, -1, null, e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        return new Chunk(index, data, slots);
    }

    /** Worker threads preparing chunks ahead of the consumer; {@link #close} stops and joins them. */
    final class Workers implements AutoCloseable {
        private final AtomicInteger next = new AtomicInteger();
        private final Map<Integer, Chunk> done = new HashMap<>();
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean stopped;
        private Throwable failure;

        private Workers(int count) {
            for (int t = 0; t < count; t++) {
                Thread thread = new Thread(this::work, "clipbench-prep-" + t);
                thread.setDaemon(true);
                threads.add(thread);
            }
            threads.forEach(Thread::start);
        }

        private void work() {
            try {
                while (!stopped) {
                    float[] buffer = acquire();
                    int index = next.getAndIncrement();
                    if (index >= chunks) {
                        free.add(buffer);
                        return;
                    }
                    Chunk chunk = fill(index, buffer);
                    synchronized (done) {
                        done.put(index, chunk);
                        done.notifyAll();
                    }
                }
            } catch (InterruptedException e) {
                // stopped by close()
            } catch (Throwable t) { // an Error: the consumer rethrows it
                synchronized (done) {
                    failure = t;
                    done.notifyAll();
                }
            }
        }

        /** Waits for chunk {@code index}; rethrows an Error a worker died of. */
        Chunk take(int index) throws InterruptedException {
            synchronized (done) {
                while (true) {
                    Chunk chunk = done.remove(index);
                    if (chunk != null) {
                        return chunk;
                    }
                    if (failure instanceof Error e) {
                        throw e;
                    }
                    if (failure != null) {
                        throw new IllegalStateException("preparing images failed", failure);
                    }
                    done.wait();
                }
            }
        }

        /** Stops the workers (an item being read is finished or interrupted) and waits until they have ended. */
        @Override
        public void close() {
            stopped = true;
            threads.forEach(Thread::interrupt);
            boolean interrupted = false;
            for (Thread thread : threads) {
                while (thread.isAlive()) {
                    try {
                        thread.join();
                    } catch (InterruptedException e) {
                        interrupted = true; // finish joining: no thread outlives the call
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
