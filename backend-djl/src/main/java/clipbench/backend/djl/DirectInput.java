package clipbench.backend.djl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One direct buffer per thread that every call refills with its input. DJL copies a heap buffer (or array) into a
 * new direct buffer per tensor, which only a garbage collection frees; with a small live heap that is rare, so
 * the process's memory grew with the calls (bench: 2.3 GiB peak RSS on the tiny ViT where the heap held 30 MiB).
 *
 * <p>On the CPU, DJL's {@code PtNDManager.create} makes the tensor with {@code torch::from_blob} on a direct
 * buffer's address: the tensor reads this memory, no copy. The tensor (and every view of it) must therefore be
 * closed before the same thread's next call; each call's memory scope is closed before it returns.
 */
final class DirectInput {
    private static final ThreadLocal<DirectInput> PER_THREAD = ThreadLocal.withInitial(DirectInput::new);

    private ByteBuffer buffer = ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());

    /** This thread's buffer. */
    static DirectInput current() {
        return PER_THREAD.get();
    }

    /** {@code data} at the start of the reused buffer (from_blob reads from its address, not its position). */
    ByteBuffer of(float[] data) {
        ByteBuffer b = sized(Math.multiplyExact(data.length, Float.BYTES));
        b.asFloatBuffer().put(data);
        return b;
    }

    /** {@code data} at the start of the reused buffer. */
    ByteBuffer of(long[] data) {
        ByteBuffer b = sized(Math.multiplyExact(data.length, Long.BYTES));
        b.asLongBuffer().put(data);
        return b;
    }

    private ByteBuffer sized(int bytes) {
        if (buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        buffer.clear().limit(bytes);
        return buffer;
    }
}
