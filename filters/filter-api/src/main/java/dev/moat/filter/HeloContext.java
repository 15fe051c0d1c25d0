package dev.moat.filter;

/** The {@link Filter#helo} stage. */
public interface HeloContext extends StageContext {

    /** The name the client gave, as sent (a domain or an address literal). */
    String heloName();
}
