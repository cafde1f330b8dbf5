// Tests of bounded reading: regular files only, a size limit, lines read one at a time.
// SPDX-License-Identifier: MIT
#include "core/bounded_read.hpp"

#include "config_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace sage::core;
using namespace sage::core::test;

BOOST_AUTO_TEST_SUITE(bounded_read)

BOOST_AUTO_TEST_CASE(a_regular_file_within_the_limit_is_read_whole) {
  config_dir dir;
  auto path = dir.write("a.txt", "hello");
  BOOST_TEST(*read_bounded_file(path, 5, "test file") == "hello");
}

BOOST_AUTO_TEST_CASE(a_file_over_the_limit_is_refused) {
  config_dir dir;
  auto path = dir.write("a.txt", "hello!");
  auto text = read_bounded_file(path, 5, "test file");
  BOOST_REQUIRE(!text);
  BOOST_TEST(text.err().code == error_code::io);
  BOOST_TEST(text.err().message ==
             "failed to read test file " + path + ": it is larger than the limit of 5 bytes");
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_not_found) {
  config_dir dir;
  auto text = read_bounded_file(dir.file("none"), 5, "test file");
  BOOST_REQUIRE(!text);
  BOOST_TEST(text.err().code == error_code::not_found);
}

BOOST_AUTO_TEST_CASE(a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer) {
  config_dir dir;
  auto path = dir.file("fifo");
  BOOST_REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  auto start = std::chrono::steady_clock::now();
  auto text = read_bounded_file(path, 1024, "config file");
  BOOST_REQUIRE(!text);
  BOOST_TEST(text.err().message ==
             "failed to read config file " + path + ": it is a fifo, not a regular file");
  BOOST_TEST(text.err().hint == "point to a regular file");
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(2)));
}

BOOST_AUTO_TEST_CASE(a_link_to_a_device_is_refused) {
  config_dir dir;
  auto path = dir.file("zero");
  std::filesystem::create_symlink("/dev/zero", path);
  auto text = read_bounded_file(path, 1024, "config file");
  BOOST_REQUIRE(!text);
  BOOST_TEST(text.err().message == "failed to read config file " + path +
                                       ": it is a character device, not a regular file");
  BOOST_TEST(!read_bounded_file(dir.path.string(), 1024, "config file"));
}

BOOST_AUTO_TEST_CASE(lines_are_read_one_at_a_time_with_a_last_line_without_newline) {
  config_dir dir;
  auto path = dir.write("a.jsonl", "one\n\ntwo\nthree");
  auto file = open_regular_file(path, 1024, "import file");
  BOOST_REQUIRE(file);
  line_reader lines{file->get(), 5, "import file"};
  std::vector<std::string> got;
  for (;;) {
    auto line = lines.next();
    BOOST_REQUIRE(line);
    if (!*line) break;
    got.push_back(**line);
  }
  BOOST_TEST(got == (std::vector<std::string>{"one", "", "two", "three"}));
  BOOST_TEST(lines.line_number() == 4u);
}

BOOST_AUTO_TEST_CASE(a_line_over_the_limit_is_refused_as_soon_as_it_is_seen) {
  // /dev/zero has no newline at all: the reader stops after the limit.
  int fd = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);
  BOOST_REQUIRE(fd >= 0);
  line_reader lines{fd, 1 << 20, "standard input"};
  auto line = lines.next();
  ::close(fd);
  BOOST_REQUIRE(!line);
  BOOST_TEST(line.err().message ==
             "failed to read standard input: line 1 is longer than the limit of 1048576 bytes");
  config_dir dir;
  auto path = dir.write("a.jsonl", "short\ntoo long\n");
  auto file = open_regular_file(path, 1024, "import file");
  line_reader limited{file->get(), 5, "import file"};
  BOOST_TEST(**limited.next() == "short");
  auto second = limited.next();
  BOOST_REQUIRE(!second);
  BOOST_TEST(second.err().message ==
             "failed to read import file: line 2 is longer than the limit of 5 bytes");
}

BOOST_AUTO_TEST_SUITE_END()
