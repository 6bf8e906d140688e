/**
 * Build-time tools for Crossway's package: the manual pages and the shell completion, generated from
 * the command line itself (picocli-codegen), so they list exactly the flags the daemon accepts.
 */
module dev.crossway.packaging {
    requires dev.crossway.app;
    requires dev.crossway.core;
    requires info.picocli;
    requires info.picocli.codegen;
}
