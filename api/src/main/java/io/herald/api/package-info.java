/**
 * Herald's API: the {@code IPPool} custom resource ({@code v1alpha1}), the annotation names Services
 * use, and (in {@code model}) the pure address and pool model that parses and checks pool specs.
 */
package io.herald.api;
