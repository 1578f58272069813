# report_tests
