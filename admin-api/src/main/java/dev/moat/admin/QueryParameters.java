package dev.moat.admin;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** A request's query string, strict: malformed or a parameter given twice is a 400, never a guess. */
final class QueryParameters {

    private QueryParameters() {
    }

    static Fields of(Request request) throws ApiError {
        Fields query;
        try {
            query = Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            throw ApiError.badRequest("the query string is not valid: " + e.getMessage());
        }
        for (String name : query.getNames()) {
            if (query.getValues(name).size() > 1) {
                throw ApiError.badRequest("query parameter '" + name + "' is given more than once");
            }
        }
        return query;
    }
}
