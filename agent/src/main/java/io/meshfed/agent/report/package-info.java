/**
 * The report stream to the controller: one {@code MeshHealth/Report} bidi stream over mTLS
 * ({@link io.meshfed.agent.report.ReportStream}) fed from a one-slot buffer in which the newest
 * report replaces an unsent one ({@link io.meshfed.agent.report.PendingReport}), reconnecting
 * with full-jitter exponential backoff ({@link io.meshfed.agent.report.Backoff}), and the rule of
 * what counts as a change worth reporting at once ({@link io.meshfed.agent.report.ReportChanges}).
 */
package io.meshfed.agent.report;
