package clipbench.backend.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One direct buffer that every call of a tower refills. ONNX Runtime copies a heap buffer into a new direct
 * buffer per call, which only a garbage collection frees; with a small live heap that is rare, so the
 * process's memory grew with the calls (bench: 2.9 GiB peak RSS on the tiny ViT where the heap held 30 MiB).
 * Each thread has its own ({@link #current()}): the tensor made from it must be closed before the thread's next
 * call, and upsamplers are called from several preparation threads at once.
 */
final class DirectInput {
    private static final ThreadLocal<DirectInput> PER_THREAD = ThreadLocal.withInitial(DirectInput::new);

    private FloatBuffer buffer = ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()).asFloatBuffer();

    /** This thread's buffer. */
    static DirectInput current() {
        return PER_THREAD.get();
    }

    /** {@code data} in the reused buffer (grown when too small), positioned for reading. */
    FloatBuffer of(float[] data) {
        if (buffer.capacity() < data.length) {
            buffer = ByteBuffer.allocateDirect(Math.multiplyExact(data.length, Float.BYTES))
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        buffer.clear();
        buffer.put(data).flip();
        return buffer;
    }
}
