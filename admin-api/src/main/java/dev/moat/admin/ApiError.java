package dev.moat.admin;

/**
 * An error answered as {@code {"error": code, "message": message}} with an HTTP status. Thrown by the
 * route code and turned into the response by {@link AdminHandler}; never carries a stack trace to
 * the client.
 */
final class ApiError extends Exception {

    private final int status;
    private final String code;
    private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

    ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    /** Adds a response header, e.g. {@code WWW-Authenticate} or {@code Allow}. */
    ApiError withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    java.util.Map<String, String> headers() {
        return headers;
    }

    int status() {
        return status;
    }

    /** The machine-readable error, e.g. {@code not_found}. */
    String code() {
        return code;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }
}
