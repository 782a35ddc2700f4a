-- Loaded into the real Wireshark GUI by test/gui-live-test.sh while it
-- captures live from a FIFO.  test/gui/pipe-writer.py writes the capture in
-- two parts.  After each part has arrived, the probe makes Wireshark dissect
-- every packet again (retap_packets(), as selecting packets or opening a
-- statistics window does) and reports each RST it saw then, into
-- $RSTDIAG_GUI_OUT/frames.txt (one "key: value" a line):
--   field:  whether the rstdiag fields are registered (the plugin loaded)
--   part1:  after the first part, "frame=cause[+data_after]" for every RST
--   part2:  the same after the second part: the file has grown since packets
--           were dissected again, so these must be single-pass verdicts
--   done:   the script reached its end
-- It signals the writer by creating $RSTDIAG_GUI_OUT/part1.ready and part2.ready.
local out = os.getenv("RSTDIAG_GUI_OUT")
local part1 = tonumber(os.getenv("RSTDIAG_LIVE_PART1") or "")
local total = tonumber(os.getenv("RSTDIAG_LIVE_TOTAL") or "")
if not out or not part1 or not total then return end

dofile(os.getenv("HOME") .. "/report.lua")
local say = report_to(out)
local function touch(name)
    local f = assert(io.open(out .. "/" .. name, "w"))
    f:close()
end

if not gui_enabled() then say("error", "not running in the GUI") return end
local ok, cause = pcall(Field.new, "rstdiag.cause")
say("field", ok and "rstdiag.cause" or ("missing (" .. tostring(cause) .. ")"))
if not ok then say("done", "no plugin") return end
local data_after = Field.new("rstdiag.data_after")

local listener = Listener.new(nil, nil)
local seen, rsts, resets = 0, {}, 0
local stage, wanted, resets_asked = "part1", part1, 0

function listener.reset()
    resets = resets + 1
    rsts = {}
end

function listener.packet(pinfo)
    seen = math.max(seen, pinfo.number)
    local c = cause()
    if c then
        rsts[pinfo.number] = tostring(c.value) .. (data_after() and "+data_after" or "")
    end
end

local function verdicts()
    local frames = {}
    for frame in pairs(rsts) do frames[#frames + 1] = frame end
    table.sort(frames)
    local words = {}
    for _, frame in ipairs(frames) do words[#words + 1] = frame .. "=" .. rsts[frame] end
    return table.concat(words, " ")
end

-- draw() runs every statistics.update_interval during the capture, and at
-- the end of each retap.
function listener.draw()
    if stage == "done" then return end
    if resets_asked > 0 and resets > resets_asked then
        say(stage, verdicts())
        touch(stage .. ".ready")
        resets_asked = 0
        if stage == "part1" then
            stage, wanted = "part2", total
        else
            stage = "done"
            say("done", "resets " .. resets)
        end
    elseif resets_asked == 0 and seen >= wanted then
        resets_asked = resets
        retap_packets()
    end
end
