package dev.moat.filter.testkit;

/** Rethrows any exception unchanged, checked ones too, so a test sees exactly what the filter threw. */
final class Sneaky {

    private Sneaky() {
    }

    /** Never returns; written {@code throw Sneaky.rethrow(e)} so the compiler knows. */
    static RuntimeException rethrow(Throwable t) {
        return Sneaky.<RuntimeException>doThrow(t);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E doThrow(Throwable t) throws E {
        throw (E) t;
    }
}
