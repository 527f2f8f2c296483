/**
 * The agent-to-controller health stream (proto {@code meshfed/health/v1/health.proto}, generated
 * into {@link io.meshfed.api.health.v1}): limits both sides share and the validation a receiver
 * applies to every report ({@link io.meshfed.api.health.HealthReports}). Pure code: no I/O.
 */
package io.meshfed.api.health;
