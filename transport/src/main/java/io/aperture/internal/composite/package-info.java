/**
 * What is built from whole channels through the public channel API: the merge of many producers' channels, and the
 * interactions (request-response, request-stream, request-channel, fire-and-forget) with their frames.
 */
package io.aperture.internal.composite;
