//! Compiles the Slint UI with its bundled translations.

fn main() {
    // Element debug info lets the UI tests find elements; it costs little, so every profile has it.
    let config = slint_build::CompilerConfiguration::new()
        .with_debug_info(true)
        .with_bundled_translations("translations")
        // Messages are keyed by their Chinese text alone, so one English line serves every page that uses it.
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    slint_build::compile_with_config("ui/app.slint", config)
        .expect("the Slint UI failed to compile");
    println!("cargo:rerun-if-changed=translations");
    // slint-build reads it (warnings fail the build) but does not declare it.
    println!("cargo:rerun-if-env-changed=SLINT_COMPILER_DENY_WARNINGS");
}
