// Moved out of the page so the Content-Security-Policy can forbid inline script.
(function(){const h=JSON.parse(document.getElementById("history-data").textContent);
const c=echarts.init(document.getElementById("history-chart"));
const money=h.series.filter(s=>s.kind==="money"), counts=h.series.filter(s=>s.kind!=="money");
c.setOption({tooltip:{trigger:"axis"},legend:{},xAxis:{type:"category",data:h.years.map(String)},
yAxis:[{type:"value",name:"万元"},{type:"value",name:"人/件",minInterval:1}],
series:money.map(s=>({name:s.label,type:"bar",data:s.values})).concat(counts.map(s=>({name:s.label,type:"line",yAxisIndex:1,data:s.values})))});})();
