package dev.moat.filter;

/** What every stage sees: the connection and its notes. Valid only during the call that received it. */
public interface StageContext {

    SessionInfo session();

    /** Notes kept for the whole connection. */
    Notes connectionNotes();
}
