-- Shared by the GUI probes (copied beside them by test/gui/session.sh):
-- report_to(dir) returns say(key, value), which appends "key: value" to the
-- report dir/frames.txt, rewritten atomically each time so that the test
-- script polling it never reads half a line.
function report_to(out)
    local report = {}
    return function(key, value)
        report[#report + 1] = key .. ": " .. tostring(value)
        local tmp = out .. "/frames.txt.tmp"
        local f = assert(io.open(tmp, "w"))
        for _, line in ipairs(report) do f:write(line, "\n") end
        f:close()
        assert(os.rename(tmp, out .. "/frames.txt"))
    end
end
