package dev.moat.admin;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty produces itself (a malformed request line, headers too large, an ambiguous URI)
 * in the API's JSON form, never an HTML page or a stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        if (request.getAttribute(ERROR_STATUS) instanceof Integer code) {
            status = code;
        }
        if (status < 400) {
            status = 500;
        }
        String message = request.getAttribute(ERROR_MESSAGE) instanceof String text && !text.isBlank()
                ? text : HttpStatus.getMessage(status);
        AdminHandler.sendError(response, callback, status, code(status), message);
        return true;
    }

    /** The machine-readable error for a status, e.g. 404 → {@code not_found}. */
    static String code(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 500 -> "internal_error";
            case 503 -> "unavailable";
            default -> "http_" + status;
        };
    }
}
