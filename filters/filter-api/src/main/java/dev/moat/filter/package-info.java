/**
 * Moat's filter SPI: everything a filter author needs, and nothing of Moat's internals (no Guice,
 * James, Netty or Mime4j types). Start at {@link dev.moat.filter.Filter}; a filter type is made known
 * through a {@link dev.moat.filter.FilterFactory}.
 */
package dev.moat.filter;
