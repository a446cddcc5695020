package io.hecate.agent.cli;

import picocli.CommandLine.IVersionProvider;

/** The version stamped into the jar's manifest at build time; {@code dev} when run from classes. */
final class ManifestVersion implements IVersionProvider {

    static String text() {
        String version = ManifestVersion.class.getPackage().getImplementationVersion();
        return "hecate " + (version == null ? "dev" : version);
    }

    @Override
    public String[] getVersion() {
        return new String[] {text()};
    }
}
