/**
 * The agent's configuration: command-line flags with environment fallbacks
 * ({@link io.meshfed.agent.config.AgentFlags}), the checked result
 * ({@link io.meshfed.agent.config.AgentConfig}) and the mTLS material of the cert dir
 * ({@link io.meshfed.agent.config.AgentCredentials}). Every refusal is a
 * {@link io.meshfed.agent.config.ConfigException} naming the flag; the launcher exits with code 2.
 */
package io.meshfed.agent.config;
