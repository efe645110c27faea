// Keeps integration_tests a valid target while it has few test files; the
// main() comes from Catch2::Catch2WithMain.
