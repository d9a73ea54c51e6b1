// The database on a file system that fills up (a 2 MiB tmpfs mounted for the test): the import
// fails naming the cause, the log has an error line with it, /readyz says why it is not ready,
// and once the file system has room again the daemon is ready by itself, with no write asked of
// it (issue 15, item 7). Needs root and mount(2); skipped with a message otherwise.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <thread>

#include "tests/integration/test_config.h"
#include "tests/support/daemon_process.h"
#include "tests/support/temp_dir.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;
using ::testing::HasSubstr;

std::string Contacts(int rows) {
  std::string file = "phone,name,tags\n";
  char line[96];
  for (int i = 0; i < rows; ++i) {
    std::snprintf(line, sizeof line, "+49151%08d,Person with a longer name %d,bulk\n", i, i);
    file += line;
  }
  return file;
}

class FullDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = dir_ / "fs";
    std::filesystem::create_directories(fs_);
    if (::mount("tmpfs", fs_.c_str(), "tmpfs", 0, "size=2m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs (" << std::strerror(errno)
                   << "): this test needs root and mount(2)";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (daemon_) {
      daemon_->Signal(SIGTERM);
      EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << daemon_->Log();
      daemon_.reset();
    }
    if (mounted_) ::umount2(fs_.c_str(), MNT_DETACH);
  }
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = {}) {
    return HttpRequest(daemon_->port(), method, target, kToken, body);
  }
  json::object ImportAndWait(const std::string& file) {
    auto started = Call("POST", "/v1/contacts/imports?format=csv", file);
    EXPECT_EQ(started.status, 202) << started.body;
    const std::string id(json::parse(started.body).at("id").as_string());
    for (int i = 0; i < 12000; ++i) {  // 2 minutes at most, for a loaded test machine
      auto status = json::parse(Call("GET", "/v1/contacts/imports/" + id).body).as_object();
      if (status.at("state").as_string() != "running") return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "import " << id << " did not end";
    return {};
  }

  TempDir dir_;
  std::filesystem::path fs_;
  bool mounted_ = false;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(FullDisk, TheCauseIsLoggedAndShownAndReadinessComesBackWithSpace) {
  std::string config = TestConfig(dir_);
  const std::string db = (dir_ / "herald.db").string();
  config.replace(config.find(db), db.size(), (fs_ / "herald.db").string());
  daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config);
  ASSERT_TRUE(daemon_->WaitReady()) << daemon_->Log();

  const std::string file = Contacts(60'000);  // about 7 MB in the database: it cannot fit
  const json::object failed = ImportAndWait(file);
  EXPECT_EQ(failed.at("state").as_string(), "failed");
  EXPECT_THAT(std::string(failed.at("error").as_string()), HasSubstr("full"));
  EXPECT_THAT(daemon_->Log(), HasSubstr("event=storage_write_failed code=\"storage_full\""));
  auto ready = HttpRequest(daemon_->port(), "GET", "/readyz");
  if (ready.status == 503) {
    EXPECT_THAT(ready.body, HasSubstr("full")) << "not ready says why";
  }

  ASSERT_EQ(::mount("tmpfs", fs_.c_str(), "tmpfs", MS_REMOUNT, "size=64m"), 0)
      << std::strerror(errno);
  bool back = false;
  for (int i = 0; i < 300 && !back; ++i) {  // the writer probes once a second
    back = HttpRequest(daemon_->port(), "GET", "/readyz").status == 200;
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(back) << "still not ready with space back: " << daemon_->Log();
  const json::object again = ImportAndWait(file);
  EXPECT_EQ(again.at("state").as_string(), "completed") << again.at("error");
}

}  // namespace
}  // namespace herald::testing
